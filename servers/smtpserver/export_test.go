package smtpserver

import "time"

// ObserveAuthDelay has f told each wrong password's count in a row and the wait
// before its answer.
func ObserveAuthDelay(s *Server, f func(failures int, wait time.Duration)) { s.guard.Observe(f) }
