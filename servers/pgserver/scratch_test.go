package pgserver

import "testing"

func TestScratch(t *testing.T) {
	_, addr := testServer(t, Options{})
	t.Log(psql(t, conninfo(addr, "sslmode=disable"), "\\dt\n\\d enrolments\n\\d courses\n\\conninfo\n", nil, "-E"))
}
