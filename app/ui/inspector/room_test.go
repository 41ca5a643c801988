package inspector

import (
	"fmt"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
)

// inspectorAreas are the least the window gives the inspector at 1280×800,
// 1400×900 and 1600×1000 (45% of the height, the window's margins off the width).
var inspectorAreas = []fyne.Size{{Width: 1272, Height: 360}, {Width: 1392, Height: 405}, {Width: 1592, Height: 450}}

// TestEveryPartVisibleAtOnce lays the inspector out in each area: the
// conversations, state diagram, sequence diagram, messages and detail are all on
// display together, none smaller than its minimum, none over another.
func TestEveryPartVisibleAtOnce(t *testing.T) {
	h, reg, _ := newLab(0)
	for _, size := range inspectorAreas {
		t.Run(fmt.Sprintf("%vx%v", size.Width, size.Height), func(t *testing.T) {
			in := newTestInspector(t, h, reg)
			if m := in.Object().MinSize(); m.Width > size.Width || m.Height > size.Height {
				t.Fatalf("the inspector needs %v, more than %v", m, size)
			}
			windowOf(t, in).Resize(size)
			type box struct{ pos, end fyne.Position }
			boxes := map[string]box{}
			for name, o := range in.parts {
				if !o.Visible() {
					t.Errorf("%s is hidden", name)
				}
				got := o.Size()
				if want := partMin[name]; got.Width < want.Width || got.Height < want.Height {
					t.Errorf("%s is %v, less than its minimum %v", name, got, want)
				}
				p := fyne.CurrentApp().Driver().AbsolutePositionForObject(o)
				boxes[name] = box{p, p.Add(fyne.NewPos(got.Width, got.Height))}
				if p.X < 0 || p.Y < 0 || p.X+got.Width > size.Width+1 || p.Y+got.Height > size.Height+1 {
					t.Errorf("%s at %v size %v is outside the inspector's %v", name, p, got, size)
				}
			}
			for a, ba := range boxes {
				for b, bb := range boxes {
					if a < b && ba.pos.X < bb.end.X && bb.pos.X < ba.end.X && ba.pos.Y < bb.end.Y && bb.pos.Y < ba.end.Y {
						t.Errorf("%s (%v–%v) and %s (%v–%v) overlap", a, ba.pos, ba.end, b, bb.pos, bb.end)
					}
				}
			}
		})
	}
}

// TestInspectorSplitsRemembered moves every divider of the layout and builds a
// new inspector on the same preferences.
func TestInspectorSplitsRemembered(t *testing.T) {
	h, reg, _ := newLab(0)
	in := newTestInspector(t, h, reg)
	want := map[string]float64{}
	for i, s := range in.splits {
		v := 0.2 + 0.05*float64(i)
		s.split.SetOffset(v)
		want[s.key] = v
	}
	in.Update()
	in2 := New(h, reg)
	w := test.NewWindow(in2.Object())
	defer w.Close()
	if len(in2.splits) != len(want) {
		t.Fatalf("the new inspector has %d splits, want %d", len(in2.splits), len(want))
	}
	for _, s := range in2.splits {
		if s.split.Offset != want[s.key] {
			t.Errorf("%s: divider at %v, want %v", s.key, s.split.Offset, want[s.key])
		}
	}
	if _, ok := in2.Object().(*container.Split); !ok {
		t.Error("the inspector's root is not its conversations' split")
	}
}

// windowOf is the test window showing in.
func windowOf(t *testing.T, in *Inspector) fyne.Window {
	t.Helper()
	for _, w := range fyne.CurrentApp().Driver().AllWindows() {
		if w.Content() == in.Object() {
			return w
		}
	}
	t.Fatal("no window shows the inspector")
	return nil
}
