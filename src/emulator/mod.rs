//! aliram-emulator: a local RAM + STS service, faithful to the real API, for demos and tests.
