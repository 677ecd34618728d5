// An agent loop written against the official `openai` npm package, pointed
// at `endstate serve-replay` (tests/evaluator/serve_replay_test.cc). It plays
// the conversation twice, once without and once with streaming, answering
// every tool call with a fixed tool result, and prints what it received as
// one JSON object on stdout:
//   {"models": [ids], "plain": [turn...], "stream": [turn...]}
//   turn = {content, reasoning, finish_reason, tool_calls: [{id, name,
//           arguments}], usage}
// Usage: node replay_client.mjs BASE_URL
import OpenAI from "openai";

const baseURL = process.argv[2];
if (!baseURL) {
  console.error("usage: node replay_client.mjs BASE_URL");
  process.exit(2);
}
const client = new OpenAI({ baseURL, apiKey: "unused", maxRetries: 0, timeout: 20000 });
const kMaxTurns = 50;

function start() {
  return [
    { role: "system", content: "You are replayed." },
    { role: "user", content: "Do the task again." },
  ];
}

// Appends the assistant turn and one tool result per call; true when the
// conversation goes on.
function advance(messages, turn) {
  const assistant = { role: "assistant", content: turn.content };
  if (turn.tool_calls.length > 0) {
    assistant.tool_calls = turn.tool_calls.map((c) => ({
      id: c.id,
      type: "function",
      function: { name: c.name, arguments: c.arguments },
    }));
  }
  messages.push(assistant);
  for (const c of turn.tool_calls) {
    messages.push({ role: "tool", tool_call_id: c.id, content: "ok" });
  }
  return turn.tool_calls.length > 0 && turn.finish_reason !== "stop";
}

async function plain() {
  const messages = start();
  const turns = [];
  for (let i = 0; i < kMaxTurns; ++i) {
    const r = await client.chat.completions.create({ model: "replay", messages });
    const choice = r.choices[0];
    const m = choice.message;
    const turn = {
      content: m.content ?? "",
      reasoning: m.reasoning_content ?? "",
      finish_reason: choice.finish_reason,
      tool_calls: (m.tool_calls ?? []).map((c) => ({
        id: c.id,
        name: c.function.name,
        arguments: c.function.arguments,
      })),
      usage: r.usage ?? null,
    };
    turns.push(turn);
    if (!advance(messages, turn)) break;
  }
  return turns;
}

async function streamed() {
  const messages = start();
  const turns = [];
  for (let i = 0; i < kMaxTurns; ++i) {
    const stream = await client.chat.completions.create({
      model: "replay",
      messages,
      stream: true,
      stream_options: { include_usage: true },
    });
    const turn = { content: "", reasoning: "", finish_reason: null, tool_calls: [], usage: null };
    const calls = new Map();  // index -> {id, name, arguments}
    for await (const chunk of stream) {
      if (chunk.usage) turn.usage = chunk.usage;
      for (const choice of chunk.choices ?? []) {
        const d = choice.delta ?? {};
        if (d.content) turn.content += d.content;
        if (d.reasoning_content) turn.reasoning += d.reasoning_content;
        for (const tc of d.tool_calls ?? []) {
          if (!calls.has(tc.index)) calls.set(tc.index, { id: "", name: "", arguments: "" });
          const c = calls.get(tc.index);
          if (tc.id) c.id = tc.id;
          if (tc.function?.name) c.name += tc.function.name;
          if (tc.function?.arguments) c.arguments += tc.function.arguments;
        }
        if (choice.finish_reason) turn.finish_reason = choice.finish_reason;
      }
    }
    turn.tool_calls = [...calls.keys()].sort((a, b) => a - b).map((k) => calls.get(k));
    turns.push(turn);
    if (!advance(messages, turn)) break;
  }
  return turns;
}

try {
  const models = [];
  for await (const m of client.models.list()) models.push(m.id);
  const out = { models, plain: await plain(), stream: await streamed() };
  process.stdout.write(JSON.stringify(out) + "\n");
} catch (e) {
  console.error(`replay_client: ${e?.constructor?.name ?? "error"}: ${e?.message ?? e}`);
  process.exit(1);
}
