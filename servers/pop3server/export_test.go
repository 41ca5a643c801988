package pop3server

import "time"

// ObserveAuthDelay has f told each wrong password's count in a row and the wait
// before its answer, as the server begins to wait.
func ObserveAuthDelay(s *Server, f func(failures int, wait time.Duration)) { s.guard.Observe(f) }
