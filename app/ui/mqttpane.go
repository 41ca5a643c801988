package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// mqttStartClients is how many clients the MQTT pane opens with: one to
// publish, one to subscribe.
const mqttStartClients = 2

// mqttPane is the MQTT client pane: several clients side by side, each with its
// own session at the broker (connect with a will, subscribe, publish, what it
// received, disconnect or drop), so a person watches one publication fan out.
type mqttPane struct {
	columnsPane[*mqttClient]
	tls bool // MQTT over TLS, verified against the lab CA
}

// mqttOptions is what the MQTT pane knows of its protocol from its
// registration: whether it speaks TLS.
type mqttOptions struct{ TLS bool }

func (o mqttOptions) newPane(ctx PaneContext) *mqttPane {
	p := &mqttPane{tls: o.TLS}
	var note fyne.CanvasObject
	if p.tls {
		note = widget.NewLabel("TLS, the lab CA")
	}
	p.init(ctx, "Add client", "Broker", note, nil, mqttStartClients, func(n int) *mqttClient { return newMQTTClient(p, n) })
	return p
}
