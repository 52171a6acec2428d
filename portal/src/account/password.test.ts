import { describe, expect, it } from "vitest";
import { passwordProblems } from "./password";

describe("checking a password change before sending it", () => {
  it("lists every problem at once, in words", () => {
    expect(passwordProblems({ current: "", password: "", repeat: "" })).toEqual({ current: "Current password: required", password: "New password: required" });
    expect(passwordProblems({ current: "", password: "abc", repeat: "abd" })).toEqual({ current: "Current password: required", repeat: "Repeat the new password: does not match the new password" });
    expect(passwordProblems({ current: "same", password: "same", repeat: "same" })).toEqual({ password: "New password: is the same as the current one" });
  });
  it("has nothing to say about a good change", () => {
    expect(passwordProblems({ current: "old-Secret", password: "new-Secret", repeat: "new-Secret" })).toEqual({});
  });
});
