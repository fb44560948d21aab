# Stadspuls API / ingest worker image.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY core ./core
COPY api ./api
COPY pilots ./pilots
RUN pip install --no-cache-dir .
EXPOSE 8000
CMD ["stadspuls", "serve", "--host", "0.0.0.0", "--port", "8000"]
