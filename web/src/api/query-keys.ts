/** Every TanStack Query key the dashboard uses, in one place so mutations invalidate the right lists. */
export const queryKeys = {
  session: ['session'] as const,
  library: (id: string) => ['libraries', id] as const,
  branches: (libraryId: string) => ['libraries', libraryId, 'branches'] as const,
  branch: (id: string) => ['branches', id] as const,
  desks: (libraryId: string) => ['libraries', libraryId, 'desks'] as const,
  desk: (id: string) => ['desks', id] as const,
  staffList: ['staff'] as const,
  staffMember: (id: string) => ['staff', id] as const,
  presenceList: ['presence'] as const,
  chatToday: ['chat', 'today'] as const,
  cannedResponses: ['canned-responses'] as const,
  conversations: ['conversations'] as const,
  conversationList: (filters: Record<string, string>) => ['conversations', 'list', filters] as const,
  conversation: (id: string) => ['conversations', id] as const,
  auditLog: (filters: Record<string, string>) => ['audit-log', filters] as const,
  blocks: ['blocks'] as const,
  /** Keyed by the address too: a patron who gives it mid-chat has a history the first read could not find. */
  patronHistory: (id: string, email: string | null) => ['conversations', id, 'history', email] as const,
};
