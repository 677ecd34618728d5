// The bundled tool-call cases. Schemas use only the JSON Schema subset that
// models::ValidateArgs checks (type, properties, required,
// additionalProperties, enum, items, minimum, maximum, minLength), so a
// schema violation here means the same as in an agent run. Every object is
// closed (additionalProperties false) so a stray key is caught by the
// schema, and every case offers decoys with related names and shapes so that
// naming the right tool is not free.
#include "probes/probe_toolcall_cases.h"

namespace endstate::probes {
namespace {

using nlohmann::json;

models::ToolSchema Tool(const char* name, const char* description,
                        const char* parameters) {
  return {name, description, json::parse(parameters)};
}

std::vector<ToolCallCase> BuildCases() {
  std::vector<ToolCallCase> cases;

  cases.push_back(
      {"nested_objects",
       "objects inside objects, a number with decimals",
       {Tool("create_shipment", "Create a parcel shipment to one recipient.",
             R"({"type":"object","properties":{
               "recipient":{"type":"object","properties":{
                 "name":{"type":"string","minLength":1},
                 "address":{"type":"object","properties":{
                   "street":{"type":"string"},"city":{"type":"string"},
                   "postal_code":{"type":"string"},
                   "country":{"type":"string"}},
                  "required":["street","city","postal_code","country"],
                  "additionalProperties":false}},
                "required":["name","address"],"additionalProperties":false},
               "weight_kg":{"type":"number","minimum":0}},
              "required":["recipient","weight_kg"],
              "additionalProperties":false})"),
        Tool("track_shipment", "Show where a shipment is.",
             R"({"type":"object","properties":{
               "tracking_id":{"type":"string"}},
              "required":["tracking_id"],"additionalProperties":false})"),
        Tool("cancel_shipment", "Cancel a shipment not yet picked up.",
             R"({"type":"object","properties":{
               "tracking_id":{"type":"string"},"reason":{"type":"string"}},
              "required":["tracking_id"],"additionalProperties":false})")},
       "create_shipment",
       json::parse(R"({"recipient":{"name":"Dana Whitfield","address":{
         "street":"14 Harbour Lane","city":"Portsmouth",
         "postal_code":"PO1 3AX","country":"GB"}},"weight_kg":2.75})")});

  cases.push_back(
      {"enums",
       "several enum fields, a bounded number",
       {Tool("set_thermostat", "Set heating or cooling for one room.",
             R"({"type":"object","properties":{
               "room":{"type":"string",
                       "enum":["living_room","bedroom","kitchen","office"]},
               "mode":{"type":"string","enum":["heat","cool","auto","off"]},
               "target_c":{"type":"number","minimum":5,"maximum":30},
               "fan":{"type":"string","enum":["low","medium","high"]}},
              "required":["room","mode","target_c","fan"],
              "additionalProperties":false})"),
        Tool("get_temperature", "Read the current temperature of a room.",
             R"({"type":"object","properties":{
               "room":{"type":"string",
                       "enum":["living_room","bedroom","kitchen","office"]}},
              "required":["room"],"additionalProperties":false})"),
        Tool("set_lights", "Switch the lights of a room.",
             R"({"type":"object","properties":{
               "room":{"type":"string"},"on":{"type":"boolean"}},
              "required":["room","on"],"additionalProperties":false})")},
       "set_thermostat",
       json::parse(
           R"({"room":"office","mode":"cool","target_c":22.5,"fan":"medium"})")});

  cases.push_back({"array_of_objects",
                   "an array of objects with an optional field left out",
                   {Tool("create_order", "Place an order for one customer.",
                         R"({"type":"object","properties":{
               "customer_id":{"type":"string"},
               "items":{"type":"array","items":{"type":"object",
                 "properties":{"sku":{"type":"string"},
                   "quantity":{"type":"integer","minimum":1},
                   "gift_wrap":{"type":"boolean"}},
                 "required":["sku","quantity"],
                 "additionalProperties":false}},
               "shipping":{"type":"string","enum":["standard","express"]}},
              "required":["customer_id","items","shipping"],
              "additionalProperties":false})"),
                    Tool("search_products", "Search the catalogue.",
                         R"({"type":"object","properties":{
               "query":{"type":"string"},"limit":{"type":"integer"}},
              "required":["query"],"additionalProperties":false})")},
                   "create_order",
                   json::parse(R"({"customer_id":"C-10442","items":[
         {"sku":"BK-201","quantity":2},{"sku":"PN-017","quantity":10},
         {"sku":"MG-880","quantity":1}],"shipping":"express"})")});

  cases.push_back(
      {"required_optional",
       "required fields plus one of three optional fields",
       {Tool("send_email", "Send an email now or at a given time.",
             R"({"type":"object","properties":{
               "to":{"type":"array","items":{"type":"string","minLength":1}},
               "subject":{"type":"string"},"body":{"type":"string"},
               "cc":{"type":"array","items":{"type":"string"}},
               "priority":{"type":"string","enum":["low","normal","high"]},
               "send_at":{"type":"string"}},
              "required":["to","subject","body"],
              "additionalProperties":false})"),
        Tool("draft_email", "Save an email as a draft without sending.",
             R"({"type":"object","properties":{
               "to":{"type":"array","items":{"type":"string"}},
               "subject":{"type":"string"},"body":{"type":"string"}},
              "required":["subject"],"additionalProperties":false})"),
        Tool("list_inbox", "List recent emails.",
             R"({"type":"object","properties":{
               "unread_only":{"type":"boolean"}},
              "additionalProperties":false})")},
       "send_email",
       json::parse(R"({"to":["ops@example.com"],
         "subject":"Nightly backup failed",
         "body":"The backup job exited with code 3 at 02:14 UTC.",
         "priority":"high"})")});

  cases.push_back(
      {"integers_numbers",
       "integer and number fields, a negative fraction, a zero",
       {Tool("record_measurement", "Store one sensor reading.",
             R"({"type":"object","properties":{
               "sensor_id":{"type":"integer"},"value":{"type":"number"},
               "samples":{"type":"integer","minimum":1},
               "offset":{"type":"number"}},
              "required":["sensor_id","value","samples","offset"],
              "additionalProperties":false})"),
        Tool("delete_measurement", "Delete the readings of a sensor.",
             R"({"type":"object","properties":{
               "sensor_id":{"type":"integer"}},
              "required":["sensor_id"],"additionalProperties":false})")},
       "record_measurement",
       json::parse(
           R"({"sensor_id":4711,"value":-3.125,"samples":12,"offset":0})")});

  cases.push_back(
      {"booleans",
       "booleans that are false, an integer zero",
       {Tool("update_feature_flag", "Change a feature flag.",
             R"({"type":"object","properties":{
               "flag":{"type":"string"},"enabled":{"type":"boolean"},
               "rollout_percent":{"type":"integer","minimum":0,"maximum":100},
               "notify_owners":{"type":"boolean"},
               "dry_run":{"type":"boolean"}},
              "required":["flag","enabled","rollout_percent","notify_owners",
                          "dry_run"],
              "additionalProperties":false})"),
        Tool("get_feature_flag", "Read a feature flag.",
             R"({"type":"object","properties":{"flag":{"type":"string"}},
              "required":["flag"],"additionalProperties":false})")},
       "update_feature_flag",
       json::parse(R"({"flag":"new_checkout","enabled":false,
         "rollout_percent":0,"notify_owners":true,"dry_run":false})")});

  cases.push_back(
      {"quotes_unicode",
       "strings with quotes, backslashes, a newline, accents, CJK, emoji",
       {Tool("create_note", "Create a note.",
             R"({"type":"object","properties":{
               "title":{"type":"string","minLength":1},
               "body":{"type":"string"},
               "tags":{"type":"array","items":{"type":"string"}}},
              "required":["title","body","tags"],
              "additionalProperties":false})"),
        Tool("search_notes", "Search notes by text.",
             R"({"type":"object","properties":{"query":{"type":"string"}},
              "required":["query"],"additionalProperties":false})")},
       "create_note",
       json::parse(
           R"({"title":"Café \"Zürich\" — naïve résumé",
         "body":"She said: \"it's done\".\nPath: C:\\Users\\zoë\\notes.txt ✓",
         "tags":["日本語","emoji-🚀"]})")});

  cases.push_back(
      {"deep_nesting",
       "three levels of objects, an array of objects, four tools offered",
       {Tool("schedule_meeting", "Schedule a meeting.",
             R"({"type":"object","properties":{
               "title":{"type":"string"},
               "attendees":{"type":"array","items":{"type":"object",
                 "properties":{"email":{"type":"string"},
                   "optional":{"type":"boolean"}},
                 "required":["email","optional"],
                 "additionalProperties":false}},
               "slot":{"type":"object","properties":{
                 "date":{"type":"string"},
                 "start":{"type":"object","properties":{
                   "hour":{"type":"integer","minimum":0,"maximum":23},
                   "minute":{"type":"integer","minimum":0,"maximum":59}},
                  "required":["hour","minute"],"additionalProperties":false},
                 "duration_minutes":{"type":"integer","minimum":1}},
                "required":["date","start","duration_minutes"],
                "additionalProperties":false},
               "recurrence":{"type":"object","properties":{
                 "freq":{"type":"string",
                         "enum":["none","daily","weekly","monthly"]},
                 "count":{"type":"integer","minimum":1}},
                "required":["freq","count"],"additionalProperties":false}},
              "required":["title","attendees","slot","recurrence"],
              "additionalProperties":false})"),
        Tool("cancel_meeting", "Cancel a meeting.",
             R"({"type":"object","properties":{"meeting_id":{"type":"string"}},
              "required":["meeting_id"],"additionalProperties":false})"),
        Tool("find_free_slot", "Find a time when all attendees are free.",
             R"({"type":"object","properties":{
               "attendees":{"type":"array","items":{"type":"string"}},
               "duration_minutes":{"type":"integer"}},
              "required":["attendees","duration_minutes"],
              "additionalProperties":false})"),
        Tool("list_rooms", "List meeting rooms.",
             R"({"type":"object","properties":{},
              "additionalProperties":false})")},
       "schedule_meeting",
       json::parse(R"({"title":"Quarterly planning","attendees":[
         {"email":"li.wei@example.com","optional":false},
         {"email":"sam@example.com","optional":true}],
         "slot":{"date":"2026-03-09","start":{"hour":14,"minute":30},
                 "duration_minutes":90},
         "recurrence":{"freq":"weekly","count":4}})")});

  cases.push_back(
      {"similar_tools",
       "decoys with near-identical names and overlapping fields",
       {Tool("resize_volume", "Grow or shrink a disk volume.",
             R"({"type":"object","properties":{
               "path":{"type":"string"},"size_gb":{"type":"integer"}},
              "required":["path","size_gb"],"additionalProperties":false})"),
        Tool("resize_image", "Resize an image file.",
             R"({"type":"object","properties":{
               "path":{"type":"string"},
               "width":{"type":"integer","minimum":1},
               "height":{"type":"integer","minimum":1},
               "keep_aspect":{"type":"boolean"},
               "format":{"type":"string","enum":["png","jpeg","webp"]}},
              "required":["path","width","height","keep_aspect","format"],
              "additionalProperties":false})"),
        Tool("crop_image", "Crop an image file.",
             R"({"type":"object","properties":{
               "path":{"type":"string"},
               "width":{"type":"integer"},"height":{"type":"integer"}},
              "required":["path","width","height"],
              "additionalProperties":false})")},
       "resize_image",
       json::parse(R"({"path":"assets/hero.png","width":1280,"height":720,
         "keep_aspect":true,"format":"webp"})")});

  cases.push_back(
      {"nested_arrays",
       "an array of arrays of numbers, an array of strings",
       {Tool("set_calibration", "Store a device's calibration matrix.",
             R"({"type":"object","properties":{
               "device":{"type":"string"},
               "matrix":{"type":"array","items":{"type":"array",
                 "items":{"type":"number"}}},
               "axes":{"type":"array","items":{"type":"string",
                 "enum":["x","y","z"]}}},
              "required":["device","matrix","axes"],
              "additionalProperties":false})"),
        Tool("reset_calibration", "Reset a device to factory calibration.",
             R"({"type":"object","properties":{"device":{"type":"string"}},
              "required":["device"],"additionalProperties":false})")},
       "set_calibration",
       json::parse(R"({"device":"arm-2",
         "matrix":[[1,0,0],[0,0.5,0],[0,0,-1]],"axes":["x","y","z"]})")});

  return cases;
}

}  // namespace

const char kToolCallSystemPrompt[] =
    "You are testing a tool-calling interface. Do exactly what the user "
    "asks: call the named tool through the tool-calling interface, once, "
    "with exactly the arguments given.";

const std::vector<ToolCallCase>& ToolCallCases() {
  static const std::vector<ToolCallCase> cases = BuildCases();
  return cases;
}

std::string ToolCallPrompt(const ToolCallCase& c) {
  return "Call the tool `" + c.expected_tool +
         "` exactly once, with exactly these arguments and no others "
         "(JSON):\n" +
         c.expected_args.dump() + "\nDo not call any other tool.";
}

}  // namespace endstate::probes
