export interface Fault {
  readonly count: number;
  readonly status?: number;
  readonly body?: string;
  readonly contentType?: string;
  readonly retryAfter?: number | string;
  readonly delayMs?: number;
  readonly drop?: boolean;
}

/** The emulator's fault and stats control endpoints, for fault drills. */
export function emulatorControl(emulatorUrl: string) {
  return {
    async fault(fault: Fault): Promise<void> {
      const response = await fetch(`${emulatorUrl}/__emulator/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(fault),
      });
      if (!response.ok)
        throw new Error(`fault refused: ${response.status} ${await response.text()}`);
    },
    async clearFaults(): Promise<void> {
      await fetch(`${emulatorUrl}/__emulator/faults`, { method: 'DELETE' });
    },
    async tokenRequests(): Promise<Record<string, number>> {
      const response = await fetch(`${emulatorUrl}/__emulator/stats`);
      return ((await response.json()) as { token_requests: Record<string, number> }).token_requests;
    },
  };
}
