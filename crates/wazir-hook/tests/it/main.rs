//! The integration tests of `wazir-hook`, in one test binary: the behaviours for every host
//! (`behaviours`) and the protected-path guard's table of attacks and look-alikes (`guard_table`),
//! all run in-process through `wazir_hook::run`.

mod behaviours;
mod guard_table;
