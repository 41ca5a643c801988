package widgets

import (
	"testing"

	"fyne.io/fyne/v2/test"
)

func TestHexViewSetDataBeforeShown(t *testing.T) {
	test.NewTempApp(t)
	h := NewHexView()
	h.SetData([]byte("before the view is drawn"))
	h.SetData(nil)
	h.SetData([]byte("again"))
	if string(h.Data()) != "again" {
		t.Errorf("Data = %q", h.Data())
	}
}
