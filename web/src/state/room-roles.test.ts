import { describe, expect, test } from 'vitest'
import {
  canBan,
  canInvite,
  canRemove,
  canSetTopic,
  parsePeople,
  rolesFor,
  suggestPeople,
} from './room-roles.js'

const owner = { username: 'ann', role: 'owner' as const, admin: false }
const admin = { username: 'ann', role: 'admin' as const, admin: false }
const member = { username: 'ann', role: 'member' as const, admin: false }
const serverAdmin = { username: 'root', role: null, admin: true }

describe('what the members panel offers', () => {
  test('invite: any member of a public room, owners and admins of a private one, never a DM', () => {
    expect(canInvite(member, 'public')).toBe(true)
    expect(canInvite(member, 'private')).toBe(false)
    expect(canInvite(admin, 'private')).toBe(true)
    expect(canInvite(owner, 'dm')).toBe(false)
    expect(canInvite(serverAdmin, 'private')).toBe(true)
  })

  test('remove: only members ranked below me, never myself', () => {
    expect(canRemove(admin, 'private', { username: 'bob', role: 'member' })).toBe(true)
    expect(canRemove(admin, 'private', { username: 'bob', role: 'admin' })).toBe(false)
    expect(canRemove(admin, 'private', { username: 'cy', role: 'owner' })).toBe(false)
    expect(canRemove(owner, 'private', { username: 'ann', role: 'owner' })).toBe(false)
    expect(canRemove(member, 'public', { username: 'bob', role: 'member' })).toBe(false)
    expect(canRemove(serverAdmin, 'public', { username: 'cy', role: 'owner' })).toBe(true)
  })

  test('roles: owners set those of non-owners; admins and members set none', () => {
    expect(rolesFor(owner, 'private', { username: 'bob', role: 'member' })).toEqual([
      'owner',
      'admin',
      'member',
    ])
    expect(rolesFor(owner, 'private', { username: 'cy', role: 'owner' })).toEqual([])
    expect(rolesFor(admin, 'private', { username: 'bob', role: 'member' })).toEqual([])
    expect(rolesFor(serverAdmin, 'public', { username: 'cy', role: 'owner' })).toHaveLength(3)
    expect(rolesFor(owner, 'dm', { username: 'bob', role: 'member' })).toEqual([])
  })

  test('topic: owners and admins; ban: server admins, not of themselves', () => {
    expect(canSetTopic(admin, 'public')).toBe(true)
    expect(canSetTopic(member, 'public')).toBe(false)
    expect(canSetTopic(owner, 'dm')).toBe(false)
    expect(canBan(serverAdmin, 'bob')).toBe(true)
    expect(canBan(serverAdmin, 'root')).toBe(false)
    expect(canBan(owner, 'bob')).toBe(false)
  })
})

describe('the DM box', () => {
  test('suggests known people by prefix, never me or someone already typed', () => {
    const known = ['Bob', 'bea', 'ann', 'cy', 'bob']
    expect(suggestPeople(known, 'b', 'ann')).toEqual(['bea', 'Bob', 'bob'])
    expect(suggestPeople(known, 'bea, b', 'ann')).toEqual(['Bob', 'bob'])
    expect(suggestPeople(known, '', 'ann')).toEqual(['bea', 'Bob', 'bob', 'cy'])
    expect(suggestPeople(known, 'a', 'ann')).toEqual([])
  })

  test('reads names separated by commas or spaces, an @ allowed, repeats dropped', () => {
    expect(parsePeople(' bob, @cy  bob,, ')).toEqual(['bob', 'cy'])
    expect(parsePeople('')).toEqual([])
  })
})
