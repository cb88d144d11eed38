# The planner as it runs in production: headless, no file watcher, error details off
# (.streamlit/config.toml), as a non-root user, with a health check Docker and a load
# balancer can poll. Build: docker build -t inference-planner .
# Run:   docker run -p 8501:8501 inference-planner
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt

# The app, its data and presets; tests and tools stay out of the image (.dockerignore).
COPY . .

# No root in the container: a compromised session cannot write to the app or the system.
RUN useradd --create-home --uid 10001 planner
USER planner

EXPOSE 8501
# Streamlit answers "ok" on /_stcore/health once the server is up (python: no curl in -slim).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=4).status != 200)"

# The production flags, spelled out so `docker inspect` shows them; 0.0.0.0 inside the
# container, published on the host as the operator chooses.
CMD ["python", "-m", "streamlit", "run", "app.py", \
     "--server.address", "0.0.0.0", "--server.port", "8501", \
     "--server.headless", "true", "--server.fileWatcherType", "none", "--server.runOnSave", "false", \
     "--client.showErrorDetails", "none", "--client.toolbarMode", "viewer", \
     "--browser.gatherUsageStats", "false"]
