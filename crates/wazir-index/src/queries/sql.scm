; SQL outline: created tables, views, functions, indexes, types and triggers.
(create_table (object_reference) @name) @def.table
(create_view (object_reference) @name) @def.view
(create_materialized_view (object_reference) @name) @def.view
(create_function (object_reference) @name) @def.function
(create_index column: (_) @name) @def.index
(create_type (object_reference) @name) @def.type
(create_trigger (object_reference) @name) @def.trigger
