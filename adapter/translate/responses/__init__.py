"""The Responses API surface (`POST /v1/responses`): request, items, tools -> native;
native -> output items, reply and stream events. Pure, like the rest of translate/."""
