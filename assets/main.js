// Loads the UI's wasm module (built by `./x`: cargo + wasm-bindgen + wasm-opt).
import init from "./hues_ui.js";
init({ module_or_path: "./hues_ui_bg.wasm" });
