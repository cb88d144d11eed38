"""The vocabulary the app and the brief share: labels, colours, number formats and sentences.

Pure Python, so ui/ (Streamlit, plotly), report/ (fpdf2, matplotlib) and the engine's own
rationale can all import it: nothing here imports streamlit, plotly or matplotlib, and engine
records appear only as type hints. Each label, colour and formatter is defined once, here.
"""
