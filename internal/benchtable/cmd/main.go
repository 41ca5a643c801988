// Command benchtable reads go test -bench output on standard input and prints
// what the capture costs, load by load (package benchtable).
package main

import (
	"fmt"
	"os"

	"github.com/protocollab/protolab/internal/benchtable"
)

func main() {
	loads, err := benchtable.Read(os.Stdin)
	if err == nil {
		err = benchtable.Write(os.Stdout, loads)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchtable:", err)
		os.Exit(1)
	}
}
