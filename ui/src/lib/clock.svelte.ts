// The app's today: the date in Kazakhstan by the core's clock (EMHANA_NOW in
// training and tests), never the PC's own calendar. Set once at start-up.
export const clock = $state<{ today: string }>({ today: '' });
