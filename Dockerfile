# syntax=docker/dockerfile:1
# The one `pronoturf` binary in a small image; docker-compose.yml runs it once per service
# (api, dashboard, worker, scheduler). Build: docker build -t pronoturf .
#
# Stages: cargo-chef compiles the dependencies from the lock file alone, so a change to our own
# sources rebuilds only our crates, not the ~400 dependencies.

FROM rust:1.95-slim-bookworm AS chef
RUN cargo install --locked cargo-chef@0.1.78
WORKDIR /app

FROM chef AS planner
COPY . .
RUN cargo chef prepare --recipe-path recipe.json

FROM chef AS builder
COPY --from=planner /app/recipe.json recipe.json
RUN cargo chef cook --release --locked --recipe-path recipe.json --bin pronoturf
COPY . .
RUN cargo build --release --locked --bin pronoturf

# Same Debian release as the builder, so the binary finds the glibc it was linked against.
FROM debian:bookworm-slim AS runtime
# ca-certificates: the PMU Turfinfo API and Telegram are HTTPS. No curl: healthchecks run
# `pronoturf check --url`, so the image carries no HTTP client of its own. Not pinned (DL3008):
# bookworm's security updates replace the exact version, and a pin would then break the build.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/*
RUN groupadd --system --gid 10001 pronoturf \
    && useradd --system --uid 10001 --gid pronoturf --home-dir /app --shell /usr/sbin/nologin pronoturf
WORKDIR /app
COPY --from=builder /app/target/release/pronoturf /usr/local/bin/pronoturf
# Mount points for the model registry and logs (docker-compose binds ./ml_models and ./logs);
# data/ holds an SQLite file when the image is run without MySQL.
RUN mkdir -p /app/ml_models /app/logs /app/data && chown -R pronoturf:pronoturf /app
# Numeric, so that Kubernetes' runAsNonRoot can verify it (the name exists only in the image).
USER 10001:10001
# Containers listen on every interface; the host decides what is published.
ENV BIND_ADDRESS=0.0.0.0 \
    ML_MODELS_DIR=/app/ml_models \
    LOG_FORMAT=json
EXPOSE 8000 8501
ENTRYPOINT ["pronoturf"]
CMD ["api"]
