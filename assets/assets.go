// Package assets holds Protocol Lab's embedded resources: the application icon
// (a sequence diagram: two lanes and the messages between them).
package assets

import (
	_ "embed"

	"fyne.io/fyne/v2"
)

//go:embed icon.png
var iconPNG []byte

//go:embed icon.svg
var iconSVG []byte

// Icon is the application icon as a 512×512 PNG, for the window and the desktop.
var Icon = fyne.NewStaticResource("protolab-icon.png", iconPNG)

// IconSVG is the application icon as scalable vector graphics, for in-app use at any size.
var IconSVG = fyne.NewStaticResource("protolab-icon.svg", iconSVG)
