# syntax=docker/dockerfile:1
# openai-gemini-adapter: one image for the adapter (`serve`, the default) and the
# offline emulator (`emulator`). Build: `docker build -t gemini-adapter .`
# Dependencies are pinned by constraints.txt (regenerate with `bash deploy/lock.sh`).
# docs/deploy.md explains every choice below.

ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# ---- build: a virtualenv with the service and its pinned dependencies ----------
FROM ${PYTHON_IMAGE} AS build
# pip compiles the .pyc files here, so the read-only runtime never needs to write any.
ENV PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /src
# Dependencies first: this layer is rebuilt only when constraints.txt changes.
COPY constraints.txt ./
RUN pip install --no-cache-dir -r constraints.txt
COPY pyproject.toml README.md ./
COPY adapter ./adapter
COPY gemini_emulator ./gemini_emulator
# [audio]: PyAV (its wheels ship FFmpeg) for mp3/opus/aac/flac speech; mp3 is OpenAI's
# default format. [otel]: OpenTelemetry traces over OTLP, when OTEL_EXPORTER_OTLP_ENDPOINT
# is set (docs/observability.md).
ARG EXTRAS=audio,otel
RUN pip install --no-cache-dir -c constraints.txt ".[${EXTRAS}]"

# ---- runtime: the virtualenv on a clean base, run as an unprivileged user -------
FROM ${PYTHON_IMAGE} AS runtime
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    XDG_STATE_HOME=/data
RUN groupadd --system --gid 10001 adapter \
    && useradd --system --uid 10001 --gid adapter --no-create-home \
        --home-dir /nonexistent --shell /usr/sbin/nologin adapter \
    && mkdir -p /data/gemini-adapter \
    && chown -R adapter:adapter /data
COPY --from=build /opt/venv /opt/venv
# The default SQLite store lives under $XDG_STATE_HOME (/data/gemini-adapter).
VOLUME ["/data"]
USER 10001:10001
EXPOSE 8080
# uvicorn drains on SIGTERM: running streams get --shutdown-grace (30 s) to finish,
# then the process exits 0. Give the container longer than that before SIGKILL
# (`docker stop -t 40`, compose `stop_grace_period: 40s`, k8s
# terminationGracePeriodSeconds).
STOPSIGNAL SIGTERM
# No curl in slim images: probe with the Python that is already there.
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen(os.environ.get('HEALTHCHECK_URL', 'http://127.0.0.1:8080/healthz'), timeout=2)"]
# Exec form: the server is PID 1 and receives SIGTERM itself (no shell in between).
ENTRYPOINT ["gemini-adapter"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8080"]
