package cli

import (
	"bufio"
	"flag"
	"fmt"
	"github.com/protocollab/protolab/internal/safepath"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/protocollab/protolab/app/wire"
	"github.com/protocollab/protolab/lab/labdir"
	"github.com/protocollab/protolab/labfile"
	"github.com/protocollab/protolab/labfile/export"
)

// exportUsage is the export command's part of the usage text.
const exportUsage = `  protolab export --format pcapng|har|jsonl|eml FILE [-o OUT]
                           convert a saved lab session: pcapng for Wireshark (TLS keys
                           included), har for a browser's developer tools, jsonl (the
                           lines serve --json prints), eml (a folder, one file per mail)
`

// exportFormats are the formats, with the extension each writes by default.
var exportFormats = map[string]string{"pcapng": ".pcapng", "har": ".har", "jsonl": ".jsonl", "eml": "-mail"}

// exportCmd runs `protolab export --format F FILE [-o OUT]`. OUT defaults to FILE
// with the format's extension (session.pcapng, session.har, session.jsonl, and
// for eml the folder session-mail). Files are written atomically: a failure
// leaves OUT as it was. "-o -" writes pcapng, har and jsonl to standard output.
func exportCmd(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, "Usage:\n"+exportUsage) }
	format := fs.String("format", "", "pcapng, har, jsonl or eml")
	out := fs.String("o", "", "the file (or, for eml, the folder) to write")
	// Flags may come before or after FILE.
	var files []string
	for {
		if err := fs.Parse(args); err != nil {
			return 2
		}
		if fs.NArg() == 0 {
			break
		}
		files = append(files, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if len(files) != 1 {
		fmt.Fprintln(stderr, "protolab export: give exactly one session FILE to convert")
		fs.Usage()
		return 2
	}
	ext, ok := exportFormats[*format]
	if !ok {
		if *format == "" {
			fmt.Fprintln(stderr, "protolab export: say which format: --format pcapng, har, jsonl or eml")
		} else {
			fmt.Fprintf(stderr, "protolab export: --format %q: choose pcapng, har, jsonl or eml\n", *format)
		}
		fs.Usage()
		return 2
	}
	file := files[0]
	if *out == "" {
		*out = strings.TrimSuffix(file, filepath.Ext(file)) + ext
	}
	if *out != "-" {
		if err := safepath.Name(filepath.Base(*out)); err != nil {
			fmt.Fprintf(stderr, "protolab export: -o %s: %v\n", *out, err)
			return 2
		}
	}
	if *out == "-" && *format == "eml" {
		fmt.Fprintln(stderr, "protolab export: eml writes a folder of files: give -o FOLDER, not -")
		return 2
	}

	s, err := labfile.Load(file)
	if err != nil {
		fmt.Fprintf(stderr, "protolab export: %v\n", err)
		return 1
	}
	if *format == "eml" {
		return exportMail(s, file, *out, stdout, stderr)
	}
	write := func(w io.Writer) error {
		switch *format {
		case "pcapng":
			return export.PCAPNG(w, wire.Registry(), s.Conversations, s.Events, s.Keys)
		case "har":
			return export.HAR(w, s.Conversations, s.Events)
		}
		return export.JSONL(w, s.Conversations, s.Events)
	}
	if *out == "-" {
		bw := bufio.NewWriter(stdout)
		if err := write(bw); err == nil {
			err = bw.Flush()
		}
		if err != nil {
			fmt.Fprintf(stderr, "protolab export: %v\n", err)
			return 1
		}
		return 0
	}
	if err := labdir.Write(*out, 0o644, write); err != nil {
		fmt.Fprintf(stderr, "protolab export: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "wrote %s\n", *out)
	if *format == "pcapng" {
		if rules := export.DecodeAs(wire.Registry(), s.Conversations); len(rules) > 0 {
			fmt.Fprintf(stdout, "the lab's servers use ports of their own: in Wireshark, Decode As %s; with tshark, -d %s\n",
				strings.Join(rules, ", "), strings.Join(rules, " -d "))
		}
	}
	return 0
}

// exportMail writes each mail message of s into the folder dir as NNN-SOURCE-CONV.eml
// ("001-smtp-12.eml": the first message, sent with SMTP in conversation 12).
func exportMail(s *labfile.Session, file, dir string, stdout, stderr io.Writer) int {
	mails := export.Mails(wire.Registry(), s.Conversations, s.Events)
	if len(mails) == 0 {
		fmt.Fprintf(stderr, "protolab export: %s holds no mail messages (SMTP DATA, POP3 RETR or IMAP FETCH)\n", file)
		return 1
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		fmt.Fprintf(stderr, "protolab export: %v\n", err)
		return 1
	}
	for i, m := range mails {
		name := filepath.Join(dir, fmt.Sprintf("%03d-%s-%d.eml", i+1, m.Source, m.Conv))
		if err := labdir.Write(name, 0o644, func(w io.Writer) error { return export.EML(w, m.Raw) }); err != nil {
			fmt.Fprintf(stderr, "protolab export: %v\n", err)
			return 1
		}
		note := ""
		if !m.Complete {
			note = " (incomplete: the capture lacks its end)"
		}
		fmt.Fprintf(stdout, "wrote %s%s\n", name, note)
	}
	return 0
}
