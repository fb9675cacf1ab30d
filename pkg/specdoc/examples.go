package specdoc

// The examples are part of the document and are validated by Generate, so
// they cannot show a spec platformctl would reject. The complete example sets
// every field at least once; TestRenderNotes relies on that.

import "testing/fstest"

type example struct{ name, src string }

// exampleFiles are the files next to the examples' platform.yaml that
// their config files read (config.files[*].file).
var exampleFiles = fstest.MapFS{
	"config/web.yaml": {Data: []byte("server:\n  readTimeout: 5s\n  writeTimeout: 10s\ncheckout:\n  currency: EUR\n")},
}

func examples() []example {
	return []example{{"minimal", minimalExample}, {"complete", completeExample}}
}

const minimalExample = `apiVersion: platformctl.dev/v1alpha1
kind: Platform
metadata:
  name: hello
spec:
  domain: hello.example.com
  environments:
    - name: dev
      tier: development
    - name: production
      tier: production
      zones: [eu-west-1a, eu-west-1b]
  services:
    - name: hello
      image: ghcr.io/acme/hello:1.0.0@sha256:f10206571bdc546d01df76d5540a58e3838690f037170c8eca17ab7c25917fc0
      expose:
        host: www            # https://www.hello.example.com in production,
                             # https://www.dev.hello.example.com in dev
`

const completeExample = `apiVersion: platformctl.dev/v1alpha1
kind: Platform
metadata:
  name: shop
spec:
  domain: shop.example.com
  environments:
    - name: dev
      tier: development            # isolation defaults to namespace: dev-apps, dev-data, …
      # dev's dumps go to an Azure container, with the account's key
      backupStorage: {provider: azure, bucket: shop-dev-backups, account: shopdevbackups, credentials: shop/dev-backup-storage}
      overrides:
        services:
          web:
            env: {LOG_LEVEL: debug}
            # dev runs on AKS: the identity is replaced whole there
            identity: {provider: azure, clientID: 8c1f0f4e-5b2a-4d7e-9a3b-2f6d1c0e9b7a, tenantID: 72f988bf-86f1-41af-91ab-2d7cd011db47, tokenExpirationSeconds: 7200}
            config:
              files:
                features.yaml: {content: "recommendations: false\n"}
    - name: staging
      tier: staging
      domain: preview.shop-example.net
      overrides:
        services:
          orders:
            image: ghcr.io/acme/orders:2.1.0-rc.1@sha256:a0ad93b1bbab93f9b69d554f7100d8ef83e1cf39314a94f00ce5f713ee19a421
    - name: prod-eu
      tier: production
      isolation: cluster
      region: eu-west-1
      zones: [eu-west-1a, eu-west-1b, eu-west-1c]
      overrides:
        services:
          web:
            replicas: {min: 4, max: 30}
            resources: {cpu: 500m, memory: 512Mi}
    - name: prod-us
      tier: production
      zones: [us-east-1a]
      singleZoneReason: pilot market; the provider has one zone in this region
      kustomize:
        components: [kustomize/us-data-residency]
  network: {cni: cilium}
  mesh: {provider: istio, mode: ambient}
  edge:
    api: gateway
    implementation: envoy-gateway
    className: platform
    tls:
      clusterIssuer: letsencrypt-prod
      minVersion: "1.2"
      ciphers: [ECDHE-ECDSA-AES128-GCM-SHA256, ECDHE-RSA-AES128-GCM-SHA256]
    hsts: true
    maxBodySize: 16Mi
    rateLimit: {requestsPerSecond: 50}
    clientIP: preserve
    trustedHops: 1
    maxConnections: 100000
    proxyNamespace: envoy-gateway-system
  services:
    - name: web
      kind: server
      image: ghcr.io/acme/web:1.4.2@sha256:b25c93849dfbdb3d1005ee54bad2f5c74633abfa4315c040200d2ecb9041b149
      protocol: http
      port: 8080
      metricsPort: 9102
      expose: {host: www, path: /, rateLimit: {requestsPerSecond: 20}, maxBodySize: 32Mi, timeout: 30s, idleTimeout: 10m}
      resources: {cpu: 250m, memory: 256Mi}
      health: {readiness: /ready, liveness: /healthz, startup: /started}
      autoscale: {min: 4, max: 10, cpuPercent: 70, memoryPercent: 80, requestsPerSecond: 100}
      canary: {weight: 10, image: ghcr.io/acme/web:1.5.0@sha256:50bedb39a1253a723582a98f111823da852ad768897b1fe585f2201430221194}
      uses: [orders-db, cache]
      calls: [orders, {service: orders, port: admin}, {service: recommender, port: http}]
      egress: [{to: internet, ports: [443]}, {cidr: 203.0.113.0/24, ports: [8443, 9443]}, {host: api.stripe.com, ports: [443]}]
      env: {LOG_LEVEL: info}
      secrets:
        STRIPE_KEY: payments/stripe-api-key
        SESSION_SECRET: web/session#key
      config:
        mountPath: /app/config       # default: /etc/<name>
        files:
          web.yaml: {file: config/web.yaml}   # next to platform.yaml
          features.yaml:
            content: |
              recommendations: true
      nodePool: general
      runAsUser: 10001
      identity: {provider: aws-irsa, roleARN: "arn:aws:iam::111122223333:role/shop-web", stsRegionalEndpoints: true, tokenExpirationSeconds: 3600}
    - name: orders
      image: ghcr.io/acme/orders:2.0.1@sha256:c3f7f55f01a345cce26791a15ef9df21624a43c712a76ea9abec6c9dcca1aeab
      protocol: grpc
      port: 9090
      expose: {host: api, path: /orders.v1.Orders}
      replicas: 3
      delivery: {strategy: canary, steps: [{weight: 20, pause: 5m}, {weight: 60}], analysis: true}   # an Argo Rollouts Rollout gated on the SLO
      uses: [orders-db]
      command: [/orders]
      args: [--listen=:9090]
      migrate: {command: [/orders], args: [migrate, up], deadline: 10m}
      podAnnotations: {vault.hashicorp.com/agent-inject: "false", cluster-autoscaler.kubernetes.io/safe-to-evict: "true"}
      podLabels: {example.com/cost-center: commerce}
      ports: [{name: admin, port: 9091, protocol: TCP}]   # calls: [{service: orders, port: admin}] → ORDERS_ADMIN_ADDR
      volumes:
        - {name: scratch, mountPath: /var/cache/orders, emptyDir: {sizeLimit: 512Mi}}   # grows ephemeral-storage by 512Mi
        - {name: keys, mountPath: /keys, readOnly: true, emptyDir: {sizeLimit: 1Mi, medium: Memory}}   # grows memory by 1Mi
        - {name: invoices, mountPath: /srv/invoices, claimName: orders-invoices}
      sidecars:                         # native sidecars: start first, stop last
        - name: key-agent
          image: ghcr.io/acme/key-agent:1.0.2@sha256:0b3f6f8a1c2d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7
          command: [/key-agent]
          args: [--out=/keys]
          env: {KEY_ROTATION: 1h}
          ports: [{name: agent-metrics, port: 9100}]
          resources: {cpu: 20m, memory: 32Mi}
          mounts: [{volume: keys, mountPath: /run-keys}]
      initContainers:
        - name: wait-for-schema
          image: ghcr.io/acme/orders:2.0.1@sha256:c3f7f55f01a345cce26791a15ef9df21624a43c712a76ea9abec6c9dcca1aeab
          command: [/orders, migrate, wait]
          mounts: [keys, {volume: invoices, readOnly: true}]   # at the volumes' mountPaths
    - name: sales-report
      kind: cronjob
      image: ghcr.io/acme/sales-report:1.1.0@sha256:3d6a1f0c9b8e7d5c4b3a29180f7e6d5c4b3a2918f0e1d2c3b4a5968778695a4b
      schedule: "30 2 * * *"
      timeZone: Europe/Berlin
      concurrency: Forbid
      deadline: 30m
      backoffLimit: 1
      uses: [orders-db]
    - name: email-worker
      kind: worker
      image: ghcr.io/acme/email-worker@sha256:4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945
      consumes: {queue: jobs, deadLetter: true}
      autoscale: {min: 1, max: 20, queueDepth: 100}
      nodePool: spot
      identity: {provider: eks-pod-identity}   # the role is associated in AWS
    - name: recommender
      image: ghcr.io/acme/recommender:0.3.0@sha256:fb7e547dd2f3d6afec94f8560b57a646983636af6d3ca82fdfa799fc4f129d15
      nodePool: gpu
      gpus: 1
      identity: {provider: gcp, serviceAccount: recommender@shop-prod.iam.gserviceaccount.com}
  data:
    - name: orders-db
      type: postgres               # no mode: a StatefulSet in dev, CloudNativePG in staging and production
      instances: 3
      synchronous: required        # no committed transaction is lost in a failover
      version: "16"
      image: docker.io/library/postgres:16.4@sha256:3f8e8b8e6c6a8e0e3b3f1a2c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f70
      credentials: shop/orders-db
      storage: 20Gi
      storageClass: encrypted-ssd
      backup: {schedule: "0 3 * * *", retentionDays: 14, restoreTestSchedule: "0 6 * * 1", storage: 40Gi, storageClass: standard-replicated}
      resources: {cpu: "1", memory: 2Gi}
      vpa: Initial
      exporterImage: quay.io/prometheuscommunity/postgres-exporter:v0.17.1@sha256:6999a7657e2f2fb0ca6ebf417213eebf6dc7d21b30708c622f6fcb11183a2bb0
    - {name: cache, type: redis, storageClass: encrypted-ssd, backup: {schedule: "0 */6 * * *"}, image: "docker.io/library/redis:7.4.1@sha256:603ac541e0c76773c7360e650b8d84fb21f10782a3f9bdcbb1d5fdb8710fbfef", exporterImage: "quay.io/oliver006/redis_exporter:v1.74.0@sha256:74d8a9b70c355920e1a61dd33b623c487eddaa288e891f327231268dc88de5f8"}
    - name: reviews
      type: ferretdb               # MongoDB drivers; FerretDB on CloudNativePG with DocumentDB, in every environment
      version: 2.7.0
      image: ghcr.io/ferretdb/postgres-documentdb:17-0.107.0-ferretdb-2.7.0@sha256:4f3a8c1d2e5b6a7980c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f60718293a4b5c6d
      proxyImage: ghcr.io/ferretdb/ferretdb:2.7.0@sha256:9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2b1a0f9e8d
      storageClass: encrypted-ssd
    - {name: jobs, type: rabbitmq, mode: managed, endpoint: "jobs.mq.example.internal:5671", cidrs: [10.20.8.0/24], tls: verify-full, ca: "shop/mq-ca#bundle", encryptedAtRest: true}
  encryptedStorageClasses: [encrypted-ssd, standard-replicated]
  backupStorage:
    provider: s3
    bucket: shop-backups
    path: platforms/shop            # each environment below platforms/shop/<environment> (default shop/<environment>)
    region: eu-west-1
    endpoint: https://s3.eu-west-1.amazonaws.com
    encryption: aws:kms
    identity: {provider: aws-irsa, roleARN: "arn:aws:iam::111122223333:role/shop-backups"}
    cidrs: [10.20.0.0/22]
    uploaderImage: docker.io/rclone/rclone:1.71.2@sha256:1e0c88540c9357a8be3447caedaf7aeb6e4fba51efdeb4720c85d7cd91b258e2
    kubectlImage: ghcr.io/acme/mirror/kubectl:v1.37.2@sha256:417a7c12069f47e9e4cc1761f74451e17e53f64a76c4926f1f45c19d3e72bb1d
  observability:
    metrics: true
    tracing: {sampleRatio: 0.1, endpoint: "tempo.example.internal:4317", collectorImage: "docker.io/otel/opentelemetry-collector-contrib:0.115.1@sha256:757f706ba828985aa0e37d43764331d3538028f6bb945ebb8b4b0db16d12bb2d"}
    logs: {endpoint: "otel-gateway.logging.example.internal:4317", agentImage: "docker.io/otel/opentelemetry-collector-contrib:0.115.1@sha256:757f706ba828985aa0e37d43764331d3538028f6bb945ebb8b4b0db16d12bb2d"}
    slo: {availability: "99.9", latencyP99: 300ms}
  lint:
    peerAnnotations: [kube-score, kube-linter, polaris]   # docs/peers.md
  cicd:
    gitops: argocd
    repoURL: https://github.com/acme/shop-deploy
    revision: main
    path: deploy
  # A preview per pull request labelled "preview", copied from staging
  # (docs/previews.md).
  previews:
    from: staging
    provider: github
    labels: [preview]
    tokenSecret: github-token
    secretStore: preview-vault
    quota: {cpu: "6", memory: 12Gi, pods: 40}
    specPath: platform.yaml
  nodePools:
    general:
      labels: {node.example.com/pool: general}
    spot:
      spot: true                   # tainted platformctl.dev/spot=true:NoSchedule by default
    gpu:
      gpu: true
      labels: {node.example.com/pool: gpu}
      taints:
        - {key: nvidia.com/gpu, value: present, effect: NoSchedule}
  teams:
    - name: payments
      group: payments-devs
      services: [web, orders]
      access: edit
  secrets:
    store: vault
    storeKind: ClusterSecretStore
    refreshInterval: 30m
  security:
    allowedRegistries: [ghcr.io, docker.io, quay.io]
    admissionPolicies: true
    imageVerification:
      issuer: https://token.actions.githubusercontent.com
      subject: https://github.com/acme/shop/.github/workflows/release.yml@refs/heads/main
      publicKey: |
        -----BEGIN PUBLIC KEY-----
        MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEexampleexampleexampleexampleexampleexam
        pleexampleexampleexampleexampleexampleexampleexampleexampleexample==
        -----END PUBLIC KEY-----
      images: ["ghcr.io/acme/*"]
  kustomize:
    # Directories next to platform.yaml, each a kustomization.yaml of kind
    # Component: what the spec cannot say (an agent's pod annotations, a
    # LimitRange, a patch of a field platformctl does not expose).
    components: [kustomize/agents]
  # platformctl promote staging prod-eu copies staging's images into
  # prod-eu's overrides; a promotion never skips a stage.
  promotion: [dev, staging, prod-eu]
`
