# One image for both the web server and the workers.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app

RUN useradd --create-home --uid 10001 commentgate
COPY pyproject.toml README.md ./
COPY service ./service
COPY workers ./workers
RUN pip install .

USER commentgate
EXPOSE 8000
CMD ["commentgate", "web", "--bind", "0.0.0.0:8000", "--workers", "4"]
