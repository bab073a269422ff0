; Python definitions. Functions directly inside a class body become methods.
(function_definition name: (identifier) @name) @def.function
(class_definition name: (identifier) @name) @def.class
; names bound to a lambda, at any depth, are functions
(assignment left: (identifier) @name right: (lambda)) @def.function
; module-level names bound by assignment (upper-case names become constants in code)
(module (expression_statement (assignment left: (identifier) @name) @def.variable))
(module (expression_statement (assignment left: (pattern_list (identifier) @name)) @def.variable))
