// Package widgets holds Protocol Lab's custom Fyne widgets for the inspector:
// SequenceDiagram (one arrow per message between a client lane and a server lane),
// StateDiagram (a protocol's session states with the current one lit and the path
// taken), HexView (offset, hex bytes and ASCII, monospace, one run of bytes
// highlighted) and FieldTree (a message's fields as a tree, values whole).
//
// The widgets take plain data (strings, slices) and know no protocol and no hub; a
// bridge in the app turns events into calls on them. Like every Fyne widget they must
// be used from the Fyne goroutine (inside fyne.Do when fed from another goroutine).
// Long content is virtualised: the sequence diagram and the hex view create canvas
// objects only for the rows in view and reuse them while scrolling, so 100,000 arrows
// or a few megabytes of bytes cost no more to draw than a screenful.
//
// Colours come from the current theme (foreground, background, separator, ...) plus a
// few accent colours that have one tone for dark backgrounds and one for light ones, so
// the diagrams read well in both variants and under any custom theme.
package widgets
