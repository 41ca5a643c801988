package widgets

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
)

var hexLineTests = []struct {
	data   []byte
	offset int
	perRow int
	want   string
}{
	{[]byte("Hello"), 0, 16, "00000000  48 65 6c 6c 6f" + strings.Repeat(" ", 36) + "|Hello|"},
	{[]byte("Hello, world\r\n\x00\xff"), 0x10, 16,
		"00000010  48 65 6c 6c 6f 2c 20 77  6f 72 6c 64 0d 0a 00 ff  |Hello, world····|"},
	{[]byte("ABCDEFGH"), 0x1238, 8, "00001238  41 42 43 44 45 46 47 48  |ABCDEFGH|"},
	{nil, 0, 8, "00000000  " + strings.Repeat(" ", 23) + "  ||"},
}

func TestHexLine(t *testing.T) {
	for _, tt := range hexLineTests {
		if got := hexLine(tt.data, tt.offset, tt.perRow); got != tt.want {
			t.Errorf("hexLine(%q, %#x, %d) =\n%q, want\n%q", tt.data, tt.offset, tt.perRow, got, tt.want)
		}
	}
}

func TestHexViewRows(t *testing.T) {
	test.NewTempApp(t)
	h := NewHexView()
	data := []byte("Hello, world! This is row two.")
	h.SetData(data)
	showIn(t, h, 800, 300)
	if !bytes.Equal(h.Data(), data) {
		t.Fatalf("Data = %q, want %q", h.Data(), data)
	}
	if h.perRow != 16 {
		t.Fatalf("bytes per row at 800 wide = %d, want 16", h.perRow)
	}
	if n := h.list.Length(); n != 2 {
		t.Errorf("rows = %d, want 2", n)
	}
	texts := visibleTexts(h)
	for _, want := range []string{"00000000", "00000010", "48 65 6c 6c 6f 2c 20 77  6f 72 6c 64 21 20 54 68", "|Hello, world! Th|", "|is is row two.|"} {
		if !slices.Contains(texts, want) {
			t.Errorf("drawn texts %q lack %q", texts, want)
		}
	}

	h.SetData(nil)
	if n := h.list.Length(); n != 0 {
		t.Errorf("rows after SetData(nil) = %d, want 0", n)
	}
	if !slices.Contains(visibleTexts(h), "no bytes") {
		t.Error("an empty view does not say it has no bytes")
	}
}

func TestHexViewNarrowUsesEightBytes(t *testing.T) {
	test.NewTempApp(t)
	h := NewHexView()
	h.SetData([]byte("0123456789abcdef"))
	showIn(t, h, 420, 300)
	if h.perRow != 8 || h.list.Length() != 2 {
		t.Errorf("at 420 wide: %d bytes per row, %d rows; want 8 and 2", h.perRow, h.list.Length())
	}
}

func TestHexViewLargeDataIsVirtual(t *testing.T) {
	test.NewTempApp(t)
	h := NewHexView()
	h.SetData(bytes.Repeat([]byte{0xde, 0xad, 0xbe, 0xef}, 1<<20)) // 4 MiB
	showIn(t, h, 800, 600)
	if n := h.list.Length(); n != 1<<18 {
		t.Fatalf("rows = %d, want %d", n, 1<<18)
	}
	if n := countObjects(h); n > 1000 {
		t.Errorf("4 MiB view holds %d objects; rows must be virtual", n)
	}
}
