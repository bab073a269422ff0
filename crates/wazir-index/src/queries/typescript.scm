; TypeScript additions, joined after the JavaScript query for .ts and .tsx files.
(abstract_class_declaration name: (type_identifier) @name) @def.class
(interface_declaration name: (type_identifier) @name) @def.interface
(type_alias_declaration name: (type_identifier) @name) @def.type
(enum_declaration name: (identifier) @name) @def.enum
(function_signature name: (identifier) @name) @def.function
(method_signature name: [(property_identifier) (private_property_identifier) (string) (computed_property_name)] @name) @def.method
(abstract_method_signature name: [(property_identifier) (private_property_identifier) (string) (computed_property_name)] @name) @def.method
(internal_module name: [(identifier) (nested_identifier)] @name) @def.module
(module name: [(identifier) (nested_identifier) (string)] @name) @def.module
(public_field_definition
  name: [(property_identifier) (private_property_identifier)] @name
  value: [(arrow_function) (function_expression)]) @def.method
; A construct signature (`new (x: T): U;` in an interface) is named after its keyword, as ctags does.
(construct_signature "new" @name) @def.method
