import { describe, expect, it } from "vitest";
import { DEFAULT_BUS_SETTINGS } from "../core/bus-types";
import { busSettingsOf } from "./bus-settings";
import { loadConfig } from "./load";

describe("busSettingsOf", () => {
  it("gives the bus its own defaults when nothing is configured (one source for both)", () => {
    const { config } = loadConfig({ env: {}, cwd: "/nonexistent-folder-for-the-test" });
    const { logger: _logger, ...defaults } = DEFAULT_BUS_SETTINGS;
    expect(busSettingsOf(config)).toEqual(defaults);
  });

  it("maps each configured key to its bus setting", () => {
    const { config } = loadConfig({
      env: { EVENTS_EVENT_QUEUE_SIZE: "7", EVENTS_HISTORY_SIZE: "9", EVENTS_REQUEST_TIMEOUT: "1234", EVENTS_MAX_PAYLOAD: "2048" },
      cwd: "/nonexistent-folder-for-the-test",
    });
    expect(busSettingsOf(config)).toEqual({ queueSize: 7, historySize: 9, requestTimeout: 1234, maxPayload: 2048 });
  });
});
