package labsettings

import (
	"errors"
	"testing"

	"github.com/protocollab/protolab/lab"
)

var switchTests = []struct {
	set, def string
	want     bool
	err      string
}{
	{"", On, true, ""},
	{"", Off, false, ""},
	{Off, On, false, ""},
	{On, Off, true, ""},
	{"maybe", On, false, `x: tls "maybe": choose "on" or "off"`},
	{"maybe", Off, false, `x: tls "maybe": choose "off" or "on"`},
}

func TestSwitch(t *testing.T) {
	for _, tt := range switchTests {
		opts := lab.ServerOptions{Settings: map[string]string{}}
		if tt.set != "" {
			opts.Settings["tls"] = tt.set
		}
		got, err := Switch("x", opts, "tls", tt.def)
		if tt.err != "" {
			if err == nil || err.Error() != tt.err {
				t.Errorf("Switch(%q, default %q) error = %v, want %q", tt.set, tt.def, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("Switch(%q, default %q) = %v, %v, want %v", tt.set, tt.def, got, err, tt.want)
		}
	}
}

func TestSize(t *testing.T) {
	choices := []string{"64 KiB", "1 MiB", "16 MiB", "2 GiB", All}
	for _, tt := range []struct {
		set  string
		want int64
		err  string
	}{
		{"", 1 << 20, ""}, // the default
		{"64 KiB", 64 << 10, ""},
		{"16 MiB", 16 << 20, ""},
		{"2 GiB", 2 << 30, ""},
		{All, 0, ""},
		{"2 MiB", 0, `x: capture = "2 MiB": choose one of 64 KiB, 1 MiB, 16 MiB, 2 GiB, all`},
		{"lots", 0, `x: capture = "lots": choose one of 64 KiB, 1 MiB, 16 MiB, 2 GiB, all`},
	} {
		opts := lab.ServerOptions{Settings: map[string]string{"capture": tt.set}}
		got, err := Size("x", opts, "capture", "1 MiB", choices)
		if tt.err != "" {
			if err == nil || err.Error() != tt.err {
				t.Errorf("Size(%q) error = %v, want %q", tt.set, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("Size(%q) = %d, %v, want %d", tt.set, got, err, tt.want)
		}
	}
	if _, err := Size("x", lab.ServerOptions{}, "capture", "3 parsecs", []string{"3 parsecs"}); err == nil {
		t.Error("a choice that is no size was read as one")
	}
}

func TestStores(t *testing.T) {
	open := func(d string) (string, error) {
		if d == "bad.test" {
			return "", errors.New("no such domain")
		}
		return "store of " + d, nil
	}
	got, err := Stores("x", []string{"a.test", "b.test"}, open)
	if err != nil || len(got) != 2 || got[1] != "store of b.test" {
		t.Errorf("Stores = %q, %v, want the stores of a.test and b.test", got, err)
	}
	_, err = Stores("x", []string{"a.test", "bad.test"}, open)
	if want := "x: the mail of bad.test: no such domain"; err == nil || err.Error() != want {
		t.Errorf("Stores error = %v, want %q", err, want)
	}
}
