window.__TAURI__.core.invoke("ui_ready", { req: null });
