// Package memcg gives each execution environment a memory cgroup of its
// own, so that everything its function holds is counted, as Lambda counts
// a function's memory (rules §18): memory the per-process view misses, such
// as System V message queues and memory files in flight over a socket, is
// charged to the cgroup of the process that made it. It uses cgroup v1's
// memory controller where this process's own memory cgroup is writable,
// and says why not elsewhere; the watch in package rie then counts per
// process.
package memcg
