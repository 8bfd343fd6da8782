// Load the dev entry before any test: it installs the sandbox emulators into the
// product (installSandboxProviders) and the in-process webhook dispatcher, which
// tests that call product modules directly rely on, as `npm run dev` does.
import '../workers/dev';
