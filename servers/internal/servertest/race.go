//go:build race

package servertest

// race is true when the race detector runs: its shadow memory makes the
// process's resident size several times the heap's.
const race = true
