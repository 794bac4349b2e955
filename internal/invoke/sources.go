package invoke

import "encoding/json"

// requestContext holds what names an HTTP event's source inside its
// requestContext.
type requestContext struct {
	// ELB is set only in an Application Load Balancer's request to a Lambda target.
	// https://docs.aws.amazon.com/elasticloadbalancing/latest/application/lambda-functions.html
	ELB json.RawMessage `json:"elb"`
	// EventType (CONNECT, MESSAGE, DISCONNECT) and ConnectionID are set only
	// in a WebSocket API's event.
	// https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-websocket-api-mapping-template-reference.html
	EventType    string `json:"eventType"`
	ConnectionID string `json:"connectionId"`
}

// foreign names an HTTP event of a source the functions do not take, as the
// operator would know it; "" for any other event.
func foreign(k kind) string {
	var rc requestContext
	// A requestContext of another shape names none of these sources: the
	// error says only that, and the event is told apart by its other fields.
	_ = json.Unmarshal(k.RequestContext, &rc)
	switch {
	case len(rc.ELB) > 0 && string(rc.ELB) != "null":
		return "an Application Load Balancer's request (requestContext.elb)"
	case rc.EventType != "" || rc.ConnectionID != "":
		return "a WebSocket API's event (requestContext.eventType, connectionId)"
	case k.HTTPMethod != "":
		// REST APIs, and HTTP APIs set to payload format 1.0, send httpMethod at the top.
		// https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html
		return "an API Gateway payload format 1.0 request (a REST API, or an HTTP API set to 1.0)"
	}
	return ""
}
