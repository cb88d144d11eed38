"""Developer tools (fit, benchmarks): they write files or spawn processes, so the app never imports them."""
