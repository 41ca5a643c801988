package ui

import (
	"image/color"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/protocollab/protolab/clients/p2pclient"
)

// p2pLayerNames are the lights' names of a peer's layers.
var p2pLayerNames = map[string]string{
	p2pclient.LayerGathering: "Gathering",
	p2pclient.LayerICE:       "ICE",
	p2pclient.LayerDTLS:      "DTLS",
	p2pclient.LayerSCTP:      "SCTP",
	p2pclient.LayerPeer:      "Peer",
	p2pclient.LayerSTUN:      "STUN",
}

// setLights shows one light per layer, then one per channel, each with its
// state: green when up, amber on the way, red when failed, grey before and
// after.
func (s *p2pSide) setLights() {
	s.mu.Lock()
	keys := append(slices.Clone(p2pLayers), s.order...)
	states := make([]string, len(keys))
	for i, k := range keys {
		states[i] = s.layers[k].State
	}
	s.mu.Unlock()
	objs := make([]fyne.CanvasObject, len(keys))
	for i, k := range keys {
		name := p2pLayerNames[k]
		if label, ok := strings.CutPrefix(k, "channel:"); ok {
			name = "Channel " + label
		}
		objs[i] = p2pLight(name, states[i])
	}
	s.lights.Objects = objs
	s.lights.Refresh()
}

// p2pLight is a coloured dot and "ICE: checking".
func p2pLight(name, state string) fyne.CanvasObject {
	dot := canvas.NewCircle(p2pStateColor(state))
	l := widget.NewLabel(name + ": " + orDash(state))
	l.Truncation = fyne.TextTruncateEllipsis
	l.SizeName = theme.SizeNameCaptionText
	return container.NewBorder(nil, nil, container.NewCenter(container.NewGridWrap(fyne.NewSize(10, 10), dot)), nil, l)
}

func p2pStateColor(state string) color.Color {
	switch state {
	case "connected", "completed", "complete", "open", "answered":
		return theme.Color(theme.ColorNameSuccess)
	case "new", "gathering", "checking", "connecting", "closing":
		return theme.Color(theme.ColorNameWarning)
	case "failed", "disconnected":
		return theme.Color(theme.ColorNameError)
	}
	return theme.Color(theme.ColorNameDisabled)
}
