FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY adapter ./adapter
# [audio]: PyAV (FFmpeg) for mp3/opus/aac/flac speech; mp3 is the OpenAI default format.
RUN pip install --no-cache-dir ".[audio]"
EXPOSE 8080
CMD ["gemini-adapter", "serve", "--host", "0.0.0.0", "--port", "8080"]
