package export

import (
	"bufio"
	"fmt"
	"io"

	"github.com/protocollab/protolab/lab"
)

// JSONL writes events as JSON lines, one lab.Record each: the lines `protolab
// serve --json` prints for them, with each conversation's protocol (and, on its
// opening, its endpoints) taken from convs.
func JSONL(w io.Writer, convs []lab.ConvInfo, events []lab.Event) error {
	byID := make(map[lab.ConvID]*lab.ConvInfo, len(convs))
	for i := range convs {
		byID[convs[i].ID] = &convs[i]
	}
	bw := bufio.NewWriter(w)
	var line []byte
	for _, e := range events {
		r := Record(e, byID[e.Conv])
		var err error
		if line, err = r.AppendJSON(line[:0]); err != nil {
			return fmt.Errorf("export: JSON lines: %w", err)
		}
		bw.Write(line)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("export: JSON lines: %w", err)
	}
	return nil
}

// Record is e as one JSON line, as lab.Hub.Record makes it for a live hub, with
// its conversation's protocol and endpoints from c (nil: none known).
func Record(e lab.Event, c *lab.ConvInfo) lab.Record {
	if c == nil {
		return lab.RecordOf(e, "", "", "")
	}
	return lab.RecordOf(e, c.Protocol, c.Client, c.Server)
}
