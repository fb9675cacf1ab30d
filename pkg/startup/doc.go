// Package startup makes the memory a platformctl process is about to touch
// resident before the heavy package initialisers run.
//
// A one-file `platformctl lint` runs on every commit, and most of its time
// is start-up: about 200 package initialisers of the libraries the binary
// links (validator, viper, kustomize, the Kubernetes API types) fault in
// text, read-only data and fresh heap pages one 4 KiB page at a time. On a
// virtual machine a page fault costs 10–15 µs, and a small run takes about
// 900 of them. Importing this package first asks the kernel to map those
// ranges in a few system calls instead (MADV_POPULATE_READ/WRITE, Linux
// 5.14); docs/performance.md has the before and after.
//
// Nothing here changes behaviour: populated heap pages are still zero, the
// executable's pages are shared page cache, and every call is best effort
// (older kernels and other systems do nothing).
package startup
