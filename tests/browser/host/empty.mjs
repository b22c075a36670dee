// Grafana 10.4's @grafana/runtime imports SystemJS itself; the host page has loaded it already.
