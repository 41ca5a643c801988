package ui

import (
	"encoding/json"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
)

// partsPane is the client side of a server made of parts (lab.Protocol.Parts,
// shown in one row of the rail): one tab per protocol with a client pane, the
// server's own first. The broker's row has MQTT, MQTT over TLS and NATS.
type partsPane struct {
	names []string // protocol names, in tab order
	panes []ClientPane
	tabs  *container.AppTabs
}

func newPartsPane() *partsPane {
	p := &partsPane{tabs: container.NewAppTabs()}
	p.tabs.OnSelected = func(*container.TabItem) { p.Update() }
	return p
}

// add puts pane, the client pane of the protocol called name, in a tab named
// after the protocol ("MQTTS"): the rail's titles name the servers.
func (p *partsPane) add(name string, pane ClientPane) {
	p.names = append(p.names, name)
	p.panes = append(p.panes, pane)
	p.tabs.Append(container.NewTabItem(strings.ToUpper(name), pane.Object()))
}

// pane is the client pane of the protocol called name, nil when there is none.
func (p *partsPane) pane(name string) ClientPane {
	for i, n := range p.names {
		if n == name {
			return p.panes[i]
		}
	}
	return nil
}

func (p *partsPane) Object() fyne.CanvasObject { return p.tabs }

// Update updates the tab shown; the others catch up when shown.
func (p *partsPane) Update() {
	if i := p.tabs.SelectedIndex(); i >= 0 && i < len(p.panes) {
		p.panes[i].Update()
	}
}

// Close closes every tab's pane.
func (p *partsPane) Close() {
	for _, c := range p.panes {
		c.Close()
	}
}

// SaveState keeps each tab's pane's requests, by protocol name.
func (p *partsPane) SaveState() json.RawMessage {
	states := map[string]json.RawMessage{}
	for i, c := range p.panes {
		if sp, ok := c.(statefulPane); ok {
			if raw := sp.SaveState(); raw != nil {
				states[p.names[i]] = raw
			}
		}
	}
	return marshalState(states)
}

// LoadState gives each tab's pane the requests saved for it.
func (p *partsPane) LoadState(raw json.RawMessage) {
	var states map[string]json.RawMessage
	if json.Unmarshal(raw, &states) != nil {
		return
	}
	for i, c := range p.panes {
		if sp, ok := c.(statefulPane); ok && states[p.names[i]] != nil {
			sp.LoadState(states[p.names[i]])
		}
	}
}
