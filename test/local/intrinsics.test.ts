/** Intrinsic functions of synthesized templates resolved to local values. */
import { describe, expect, it } from 'vitest';
import { Intrinsics, type LocalTemplate } from '../../shared/dev/local/lambdas.js';

const data: LocalTemplate = {
  Resources: { Table: { Type: 'AWS::DynamoDB::Table' }, Blobs: { Type: 'AWS::S3::Bucket' } },
  Outputs: {
    ExportTable: { Value: { Ref: 'Table' }, Export: { Name: 'Data:TableName' } },
    ExportBlobs: { Value: { Ref: 'Blobs' }, Export: { Name: 'Data:Blobs' } },
    ExportBlobsArn: { Value: { 'Fn::GetAtt': ['Blobs', 'Arn'] }, Export: { Name: 'Data:BlobsArn' } },
  },
};
const app: LocalTemplate = {
  Resources: {
    Fn: { Type: 'AWS::Lambda::Function', Properties: { FunctionName: { 'Fn::Join': ['-', ['suiji', 'api']] } } },
    Flow: { Type: 'AWS::StepFunctions::StateMachine', Properties: { StateMachineName: 'SuijiLifecycle' } },
    Api: { Type: 'AWS::ApiGatewayV2::Api' },
  },
  Parameters: { Stage: { Default: 'local' } },
};

describe('Intrinsics', () => {
  const x = new Intrinsics(app, {
    region: 'cn-northwest-1',
    imports: [data],
    resolveRef: (_id, type) => (type === 'AWS::S3::Bucket' ? '/tmp/blobs' : undefined),
    resolveAttribute: (_id, attr, type) => (type === 'AWS::ApiGatewayV2::Api' && attr === 'ApiEndpoint' ? 'http://127.0.0.1:3000' : undefined),
  });

  it('resolves Ref, GetAtt, pseudo parameters and physical names like the local platform names resources', () => {
    expect(x.resolve({ Ref: 'Fn' })).toBe('suiji-api');
    expect(x.resolve({ 'Fn::GetAtt': ['Fn', 'Arn'] })).toBe('arn:aws-cn:lambda:cn-northwest-1:000000000000:function:suiji-api');
    expect(x.resolve({ Ref: 'Flow' })).toBe('arn:aws-cn:states:cn-northwest-1:000000000000:stateMachine:SuijiLifecycle');
    expect(x.resolve({ 'Fn::GetAtt': 'Flow.Name' })).toBe('SuijiLifecycle');
    expect(x.resolve({ Ref: 'Stage' })).toBe('local');
    expect(x.resolve({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':states:::lambda:invoke']] })).toBe('arn:aws-cn:states:::lambda:invoke');
    expect(x.resolve({ 'Fn::GetAtt': ['Api', 'ApiEndpoint'] })).toBe('http://127.0.0.1:3000');
    expect(() => x.resolve({ 'Fn::GetAtt': ['Api', 'Other'] })).toThrow(/Fn::GetAtt Api.Other \(AWS::ApiGatewayV2::Api\)/);
  });

  it('resolves Fn::Sub, Select, Split, NoValue and imports from another stack', () => {
    expect(x.resolve({ 'Fn::Sub': 'https://${Fn}.${AWS::URLSuffix}/${Stage}/${!Literal}' })).toBe('https://suiji-api.amazonaws.com.cn/local/${Literal}');
    expect(x.resolve({ 'Fn::Sub': ['${A}-${Fn.Arn}', { A: 'x' }] })).toBe('x-arn:aws-cn:lambda:cn-northwest-1:000000000000:function:suiji-api');
    expect(x.resolve({ 'Fn::Select': [1, { 'Fn::Split': [':', 'a:b:c'] }] })).toBe('b');
    expect(x.resolve({ keep: 1, drop: { Ref: 'AWS::NoValue' } })).toEqual({ keep: 1 });
    expect(x.resolve({ 'Fn::ImportValue': 'Data:TableName' })).toBe('Table');
    expect(x.resolve({ 'Fn::ImportValue': 'Data:Blobs' })).toBe('/tmp/blobs'); // the local blob folder
    expect(x.resolve({ 'Fn::ImportValue': 'Data:BlobsArn' })).toBe('arn:aws-cn:s3:::Blobs');
    expect(() => x.resolve({ 'Fn::ImportValue': 'Nope' })).toThrow(/no such export/);
    expect(() => x.resolve({ 'Fn::If': ['C', 1, 2] })).toThrow(/not supported/);
  });
});
