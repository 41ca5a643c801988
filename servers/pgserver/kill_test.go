package pgserver

const childEnv = "PGSERVER_TEST_CHILD"

func childMain() int { return 0 }
