# syntax=docker/dockerfile:1
# Starter image for the sales-report service, written by platformctl new service --with-skeleton.
#
# The platform runs it as UID 65532 (non-root), with a read-only root
# filesystem and only /tmp writable (a 64Mi emptyDir), so the image must not
# need to write anywhere else at runtime. The build stage compiles a Go
# program; replace it for another language and keep the final stage's rules.

FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum* ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/sales-report .

# distroless/static: no shell, no package manager, nothing to patch at runtime.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/sales-report /usr/local/bin/sales-report
# Numeric, so Kubernetes can verify runAsNonRoot without reading /etc/passwd.
USER 65532:65532
ENV TMPDIR=/tmp
ENTRYPOINT ["/usr/local/bin/sales-report"]
