package cli

import (
	"fmt"
	"io"
	"path/filepath"
	"strconv"

	"github.com/protocollab/protolab/app/wire"
	"github.com/protocollab/protolab/lab/labca"
	"github.com/protocollab/protolab/lab/labdir"
	httpproto "github.com/protocollab/protolab/protocols/http"
)

// caUsage is the ca command's part of the usage text.
const caUsage = `  protolab ca export FILE  write the lab's CA certificate (never its key) to FILE,
                           for outside clients: curl --cacert FILE, Python, a browser
`

// ca runs `protolab ca export FILE`: the lab's CA (made now if it does not exist
// yet) writes its certificate to FILE.
func ca(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "export" || len(args) != 2 || args[1] == "" {
		switch {
		case len(args) == 0:
			fmt.Fprintln(stderr, "protolab ca: say what to do: protolab ca export FILE")
		case args[0] != "export":
			fmt.Fprintf(stderr, "protolab ca: unknown command %q: the only one is export\n", args[0])
		default:
			fmt.Fprintln(stderr, "protolab ca export: give exactly one FILE to write the certificate to")
		}
		fmt.Fprint(stderr, "\nUsage:\n"+caUsage)
		return 2
	}
	file, err := filepath.Abs(args[1])
	if err != nil {
		fmt.Fprintf(stderr, "protolab ca export: %v\n", err)
		return 1
	}
	dir, err := labdir.CA()
	if err != nil {
		fmt.Fprintf(stderr, "protolab ca export: %v\n", err)
		return 1
	}
	c, err := labca.Open(dir)
	if err != nil {
		fmt.Fprintf(stderr, "protolab ca export: %v\n", err)
		return 1
	}
	if err := c.Export(file); err != nil {
		fmt.Fprintf(stderr, "protolab ca export: %v\n", err)
		return 1
	}
	url := "https://127.0.0.1:" + strconv.Itoa(wire.Registry().Lookup(httpproto.HTTPSName).DefaultPort) + "/"
	fmt.Fprintf(stdout, `Wrote the lab's CA certificate to %s
(the CA and its private key stay in %s; the file holds no key).

Give it to a client to trust the lab's HTTPS servers:
  curl --cacert %q %s
  python3: ssl.create_default_context(cafile=%q)
  a browser: import it as a certificate authority (trusted for websites)

The CA can vouch only for names under .test, localhost and loopback or private addresses.
`, file, dir, file, url, file)
	return 0
}
