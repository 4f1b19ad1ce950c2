import assert from "node:assert/strict";
import { test } from "node:test";
import type { Message, ToolCall } from "../../core/types.ts";
import { ToolExchanges } from "./tool-exchanges.ts";

const exchanges = new ToolExchanges();
const saveToolExchange = exchanges.save.bind(exchanges);
const restoreToolExchanges = exchanges.restore.bind(exchanges);

const call = (id: string, name: string): ToolCall => ({ id, type: "function", function: { name, arguments: "{}" } });
const exchange: Message[] = [
  { role: "assistant", content: null, tool_calls: [call("own-1", "calculator")] },
  { role: "tool", tool_call_id: "own-1", content: "84" },
];

test("a saved exchange goes back before the returned call, only in the conversation it came from", () => {
  const conversation: Message[] = [{ role: "user", content: "apples and weather?" }];
  saveToolExchange({ conversation, returned: [call("w-1", "get_weather")], exchange });
  const echoed: Message[] = [
    { role: "user", content: "apples and weather?" },
    // Clients echo the returned message with fields of their own; only the ids matter.
    { role: "assistant", content: null, refusal: null, tool_calls: [call("w-1", "get_weather")] },
    { role: "tool", tool_call_id: "w-1", content: "sunny" },
  ];
  assert.deepEqual(restoreToolExchanges(echoed), [echoed[0], ...exchange, echoed[1], echoed[2]]);
  const other: Message[] = [{ role: "user", content: "something else" }, ...echoed.slice(1)];
  assert.deepEqual(restoreToolExchanges(other), other, "the same call id in another conversation gets nothing");
});
