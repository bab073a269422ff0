; JavaScript-only patterns (TypeScript names class fields differently).
(field_definition
  property: [(property_identifier) (private_property_identifier)] @name
  value: [(arrow_function) (function_expression)]) @def.method
