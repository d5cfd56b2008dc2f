# Point the example at a local aliram-emulator started with `--listen 127.0.0.1:18080`.
ram_endpoint            = "http://127.0.0.1:18080"
sts_endpoint            = "http://127.0.0.1:18080"
shared_credentials_file = "emulator-profiles.json"
