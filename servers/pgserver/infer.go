package pgserver

func (s *session) inferParams(sql string, n int) []uint32 {
	out := make([]uint32, n)
	for i := range out {
		out[i] = oidText
	}
	return out
}
