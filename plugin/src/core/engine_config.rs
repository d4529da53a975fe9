// The wasmtime configuration shared by build.rs (which precompiles the core
// component) and the runtime (which loads it): an artifact only loads into
// an engine configured the same way, so this is decided in one place.

/// The engine configuration for the core component.
pub fn engine_config() -> wasmtime::Config {
    let mut config = wasmtime::Config::new();
    config.wasm_component_model(true);
    // The core is small and pure: no need for lazy init, keep memory small.
    config.memory_reservation(64 << 20);
    config.memory_guard_size(64 << 10);
    config.memory_reservation_for_growth(1 << 20);
    config
}
